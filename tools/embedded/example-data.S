/* example.c's model and image, included from files at assembly time:
   -DEXAMPLE_MODEL="path.dgi" -DEXAMPLE_IMAGES="inputs.bin" -DEXAMPLE_INDEX=n */
  .section .rodata.example_model, "a"
  .global example_model, example_model_end
  .balign 4
example_model:
  .incbin EXAMPLE_MODEL
example_model_end:

  .section .rodata.example_image, "a"
  .global example_image
example_image:
  .incbin EXAMPLE_IMAGES, 784 * EXAMPLE_INDEX, 784
