/* cmsis-nn.c's two extra models, the first layer of the reference and of
   the shipped model (first-layer.py), included at assembly time:
   -DFIRST_REFERENCE="path.dgi" -DFIRST_SHIPPED="path.dgi" */
  .section .rodata.first_layers, "a"
  .global first_reference, first_reference_end, first_shipped, first_shipped_end
  .balign 16
first_reference:
  .incbin FIRST_REFERENCE
first_reference_end:
  .balign 16
first_shipped:
  .incbin FIRST_SHIPPED
first_shipped_end:
