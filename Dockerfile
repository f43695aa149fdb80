FROM astrocrpublic.azurecr.io/runtime:3.3-2
